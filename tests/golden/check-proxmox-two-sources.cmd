check --proxmox tests/proxmox/conf/check-i440fx.conf --qemu-cmdline x --dump examples/gpu-workstation.lspci
