//! Chapter 13's numbers, computed with its code.
