gen-proxmox -F examples/gpu-workstation.lspci --kernel-version 6.8 --qemu-version 9.2 --conf tests/proxmox/conf/mapping.conf --mapping tests/proxmox/pci.cfg --node pve1 03:00 05:00.0
