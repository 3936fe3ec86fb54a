//! Chapter 05's numbers, computed with its code.
