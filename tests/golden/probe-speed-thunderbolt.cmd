probe -F tests/data/speed-thunderbolt.lspci -n --all
