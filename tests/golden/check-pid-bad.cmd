check -F examples/gpu-workstation.lspci --pid 12ab
