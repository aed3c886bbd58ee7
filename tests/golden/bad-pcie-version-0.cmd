probe -F tests/data/bad/pcie-version-0.lspci --all -n
