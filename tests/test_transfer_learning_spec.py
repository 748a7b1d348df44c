"""What ``19-transfer-learning``'s checks promise beyond the generated spec tests."""
