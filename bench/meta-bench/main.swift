print("meta-bench")
