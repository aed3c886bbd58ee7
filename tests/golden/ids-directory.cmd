gen-qemu-args -F examples/gpu-workstation.lspci -i tests/data 03:00.0
