gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 8.1 --kernel-version 6.8 --numa --numa-node 03:00=0 --numa-node 07:00=1 --numa-map 0=1,1=0 03:00 07:00
