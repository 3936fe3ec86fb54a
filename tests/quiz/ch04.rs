//! Chapter 04's numbers, computed with its code.
