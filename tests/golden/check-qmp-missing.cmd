check -F examples/gpu-workstation.lspci --qmp tests/data/vms/no-such.sock
