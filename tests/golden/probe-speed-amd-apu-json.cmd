probe -F tests/data/speed-amd-apu.lspci -n 04:00.0 00:08.1 -o json
