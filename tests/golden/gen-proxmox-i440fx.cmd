gen-proxmox -F examples/gpu-workstation.lspci --kernel-version 6.8 --qemu-version 9.2 --conf tests/proxmox/conf/i440fx.conf 03:00
