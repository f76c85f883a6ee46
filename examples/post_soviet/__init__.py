"""The post-Soviet diaspora example: its index file and its sourced inputs."""
