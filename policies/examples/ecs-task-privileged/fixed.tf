# No container runs privileged: the log shipper gets the one capability it needs, the agent
# says so explicitly.
resource "aws_ecs_task_definition" "app" {
  family                   = "app"
  requires_compatibilities = ["EC2"]

  container_definitions = jsonencode([
    {
      name      = "app"
      image     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.4.2"
      essential = true
      memory    = 512
    },
    {
      name      = "log-shipper"
      image     = "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"
      essential = false
      memory    = 128
      linuxParameters = {
        capabilities = { add = ["SYSLOG"] }
      }
    }
  ])
}

resource "aws_ecs_task_definition" "agent" {
  family = "agent"

  container_definitions = <<-EOF
    [
      {
        "name": "agent",
        "image": "public.ecr.aws/datadog/agent:7",
        "memory": 256,
        "privileged": false
      }
    ]
  EOF
}
