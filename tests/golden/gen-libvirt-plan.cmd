gen-libvirt-xml -F examples/gpu-workstation.lspci --plan tests/golden/gen-libvirt-plan.yaml
