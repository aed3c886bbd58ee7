gen-qemu-args -F examples/gpu-workstation.lspci --plan examples/gpu-vm.plan.yaml -o json
