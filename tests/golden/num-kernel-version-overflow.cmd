gen-qemu-args -F examples/gpu-workstation.lspci --kernel-version 6.4294967304 04:00.0
