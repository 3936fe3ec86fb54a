//! Chapter 08's numbers, computed with its code.
