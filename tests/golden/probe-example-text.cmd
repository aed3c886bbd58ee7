probe --dump examples/gpu-workstation.lspci --ids tests/data/pci.ids --all
