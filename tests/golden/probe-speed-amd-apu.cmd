probe -F tests/data/speed-amd-apu.lspci -n --all
