#!/usr/bin/env bash
# bucket.sh publish DIR: copy the packages in DIR to the shared S3-compatible bucket (IBM COS) under
# docker-ce/<DOCKER_TAG>/, only after a fully passed run (GATEHOUSE_RESULT is success). The hand-over
# from the docker build to dockertest does not go through here: gatehouse's artifact store does it.
# Needs the aws CLI, COS_ENDPOINT, COS_BUCKET, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=examples/docker-ce-ppc64le/env-list.sh
. "$here/env-list.sh"

action=${1:?usage: bucket.sh publish DIR}
dir=${2:?usage: bucket.sh publish DIR}
[[ $action == publish ]] || { echo "bucket.sh: unknown action $action (publish)" >&2; exit 2; }
if [[ ${GATEHOUSE_RESULT:-success} != success ]]; then
  echo "bucket.sh: not publishing: the build so far is ${GATEHOUSE_RESULT}" >&2
  exit 1
fi
: "${COS_ENDPOINT:?}" "${COS_BUCKET:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
env_list_load env/env.list
aws --endpoint-url "$COS_ENDPOINT" s3 cp --recursive --only-show-errors "$dir" "s3://$COS_BUCKET/docker-ce/$DOCKER_TAG/"
echo "published to s3://$COS_BUCKET/docker-ce/$DOCKER_TAG/"
