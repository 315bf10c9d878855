# A log shipper runs privileged beside the application: root in it is root on the container
# instance. The definitions are written with jsonencode() here, and as a JSON heredoc in the
# second task definition.
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
      name       = "log-shipper"
      image      = "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"
      essential  = false
      memory     = 128
      privileged = true
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
        "privileged": true
      }
    ]
  EOF
}
