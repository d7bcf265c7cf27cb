// The tensor runtime: see the tensor issue.
