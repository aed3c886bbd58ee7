probe -F tests/data/speed-thunderbolt.lspci -n 08:00.0 -o json
