probe --sysfs tests/out/sysfs/gpu-nonroot -n -o json 00:00.0
