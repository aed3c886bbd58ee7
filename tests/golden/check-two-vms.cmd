check -F examples/gpu-workstation.lspci --pid 1 --qmp x.sock
