//! The corpora.
