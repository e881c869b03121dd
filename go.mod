module github.com/dectsim/dectsim

go 1.26.8

require (
	github.com/beevik/etree v1.8.1
	github.com/benbjohnson/clock v1.3.5
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
