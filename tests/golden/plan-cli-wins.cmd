gen-qemu-args -F examples/gpu-workstation.lspci --plan examples/gpu-vm.plan.yaml --qemu-version 10.0 --hotplug on --speed 8 04:00.0
