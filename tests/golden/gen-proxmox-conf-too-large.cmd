gen-proxmox -F examples/gpu-workstation.lspci --kernel-version 6.8 --qemu-version 9.2 --conf - 03:00 < /dev/zero
