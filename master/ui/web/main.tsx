import { render } from 'preact';
import { App } from './app';
import './styles/base.css';
import './styles/layout.css';
import './styles/status.css';
import './styles/builders.css';
import './styles/tables.css';
import './styles/build.css';
import './styles/log.css';

render(<App />, document.getElementById('app') as HTMLElement);
