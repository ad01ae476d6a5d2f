#!/usr/bin/env bash
# bucket.sh stage-push DIR | stage-pull DIR | publish DIR: copy packages to or from the
# S3-compatible bucket (IBM COS): staging/<commit>/ hands the docker build's packages to the
# dockertest builder; publish copies them to docker-ce/<DOCKER_TAG>/, only after a fully passed run.
# Needs the aws CLI, COS_ENDPOINT, COS_BUCKET, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=examples/docker-ce-ppc64le/env-list.sh
. "$here/env-list.sh"

action=${1:?usage: bucket.sh stage-push|stage-pull|publish DIR}
dir=${2:?usage: bucket.sh stage-push|stage-pull|publish DIR}
: "${COS_ENDPOINT:?}" "${COS_BUCKET:?}" "${GATEHOUSE_SHA:?}"
s3() { aws --endpoint-url "$COS_ENDPOINT" s3 "$@"; }
staging="s3://$COS_BUCKET/staging/$GATEHOUSE_SHA/"

case $action in
  stage-push) s3 cp --recursive --only-show-errors "$dir" "$staging" ;;
  stage-pull) mkdir -p "$dir" && s3 cp --recursive --only-show-errors "$staging" "$dir" ;;
  publish)
    if [[ ${GATEHOUSE_RESULT:-success} != success ]]; then
      echo "bucket.sh: not publishing: the build so far is ${GATEHOUSE_RESULT}" >&2
      exit 1
    fi
    env_list_load env/env.list
    s3 cp --recursive --only-show-errors "$dir" "s3://$COS_BUCKET/docker-ce/$DOCKER_TAG/"
    echo "published to s3://$COS_BUCKET/docker-ce/$DOCKER_TAG/"
    ;;
  *) echo "bucket.sh: unknown action $action" >&2; exit 2 ;;
esac
