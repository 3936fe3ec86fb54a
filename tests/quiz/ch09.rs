//! Chapter 09's numbers, computed with its code.
