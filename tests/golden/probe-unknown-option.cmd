probe --frobnicate
