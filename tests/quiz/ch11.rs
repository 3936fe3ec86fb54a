//! Chapter 11's numbers, computed with its code.
