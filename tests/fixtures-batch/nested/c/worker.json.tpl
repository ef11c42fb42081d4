{
  "family": "worker",
  "containerDefinitions": [
    {
      "name": "worker",
      "image": "example/worker:4.1",
      "memory": 512,
      "command": [
        "run"
      ]
    }
  ]
}
