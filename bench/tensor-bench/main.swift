print("tensor-bench")
