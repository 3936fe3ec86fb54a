//! Chapter 12's numbers, computed with its code.
