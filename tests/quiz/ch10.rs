//! Chapter 10's numbers, computed with its code.
