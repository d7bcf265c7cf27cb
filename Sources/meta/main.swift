print("meta")
