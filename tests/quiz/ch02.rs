//! Chapter 02's numbers, computed with its code.
