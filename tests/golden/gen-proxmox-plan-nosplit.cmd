gen-proxmox -F examples/gpu-workstation.lspci --plan tests/proxmox/nosplit.plan.yaml
