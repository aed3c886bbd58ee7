probe -F tests/data/no-root-port.lspci -n --all
