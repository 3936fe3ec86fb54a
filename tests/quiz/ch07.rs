//! Chapter 07's numbers, computed with its code.
