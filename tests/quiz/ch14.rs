//! Chapter 14's numbers, computed with its code.
