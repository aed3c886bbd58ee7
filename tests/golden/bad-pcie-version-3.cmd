probe -F tests/data/bad/pcie-version-3.lspci --all -n
