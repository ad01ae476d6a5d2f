// What the page learns once at start (GET /api/v2/ui/info): title and the bases of outside links.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiInfo } from '../../../api/schemas';

export const FALLBACK_INFO: ApiInfo = { title: 'gatehouse', repo: '', repos: [], web_url: 'https://github.com', approve_command: '/ok-to-test', logs: null, repo_logs: {}, actions: true };
export const InfoContext = createContext<ApiInfo>(FALLBACK_INFO);
export const useInfo = () => useContext(InfoContext);

export const repoUrl = (info: ApiInfo, repo: string) => `${info.web_url}/${repo}`;
export const prUrl = (info: ApiInfo, repo: string, pr: number) => `${info.web_url}/${repo}/pull/${pr}`;
export const commitUrl = (info: ApiInfo, repo: string, sha: string) => `${info.web_url}/${repo}/commit/${sha}`;
