//! Chapter 03's numbers, computed with its code.
