check --proxmox tests/proxmox/conf/check-mapping.conf --mapping tests/proxmox/pci.cfg --node pve1 --dump examples/gpu-workstation.lspci --qemu-version 9.2
