//! Chapter 06's numbers, computed with its code.
