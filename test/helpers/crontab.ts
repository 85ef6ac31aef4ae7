// The CronTab CustomResourceDefinition of upstream's "Extend the Kubernetes API with CustomResourceDefinitions"
// page, with what the tests exercise: the status and scale subresources, printer columns, a CEL rule, a default and
// descriptions (for kubectl explain).
export const cronTabCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: { plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct], categories: [all] }
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: { specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas }
    additionalPrinterColumns:
    - { name: Spec, type: string, jsonPath: .spec.cronSpec }
    - { name: Replicas, type: integer, jsonPath: .spec.replicas }
    - { name: Age, type: date, jsonPath: .metadata.creationTimestamp }
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: The desired schedule.
            x-kubernetes-validations:
            - { rule: "self.replicas <= self.maxReplicas", message: "replicas must not exceed maxReplicas" }
            properties:
              cronSpec: { type: string, description: The cron schedule. }
              image: { type: string }
              replicas: { type: integer, minimum: 0 }
              maxReplicas: { type: integer, default: 10 }
          status:
            type: object
            properties:
              replicas: { type: integer }
`;
