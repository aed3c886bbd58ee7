gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 8.1 --kernel-version 6.8 --numa --numa-map 0=1,0=2 03:00
