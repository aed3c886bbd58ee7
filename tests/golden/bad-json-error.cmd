probe -F tests/data/bad/non-hex.lspci -o json
